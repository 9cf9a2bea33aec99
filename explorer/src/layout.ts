// The page frame every explorer page shares: title, navigation, the one stylesheet and the one script (both served from this package).
import { html, type Html } from './html.ts'

const NAV = [['/', 'Orders'], ['/saga', 'The saga'], ['/topics', 'Topics and groups'], ['/schemas', 'Schemas'], ['/dead-letters', 'Dead letters']] as const

export function page(title: string, body: Html, options: { admin: string; current: string }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · saga explorer</title>
<link rel="stylesheet" href="/assets/explorer.css">
<script src="/assets/explorer.js" defer></script>
</head>
<body>
<header>
  <strong>choreo · saga explorer</strong>
  <nav>${NAV.map(([href, label]) => html`<a href="${href}"${href === options.current ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
  <span class="who">admin ${options.admin}</span>
</header>
<main>
${body}
</main>
</body>
</html>
`.value
}
