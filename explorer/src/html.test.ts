import { describe, expect, it } from 'vitest'
import { html } from './html.ts'
import { MASK, maskPersonalData } from './personal-data.ts'

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const value = `<script>alert("x")</script> & 'quoted'`
    expect(html`<p title="${value}">${value}</p>`.value)
      .toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;</p>')
  })

  it('keeps its own markup, joins arrays and renders nothing for null, undefined and false', () => {
    expect(html`<ul>${['<a>', 'b'].map((x) => html`<li>${x}</li>`)}${null}${undefined}${false}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>')
  })
})

describe('maskPersonalData', () => {
  it('masks names and address lines wherever they sit, and nothing else', () => {
    const payload = { orderId: 'o-1', customerId: 'ada', shippingAddress: { name: 'Ada', line1: '1 St', city: 'London', postalCode: 'N1', country: 'GB' }, items: [{ name: 'teapot' }] }
    expect(maskPersonalData(payload)).toEqual({
      orderId: 'o-1', customerId: 'ada', shippingAddress: { name: MASK, line1: MASK, city: MASK, postalCode: MASK, country: 'GB' }, items: [{ name: MASK }],
    })
  })
})
