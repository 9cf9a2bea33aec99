// Schema pieces every service's routes share: ids, free text, and the body of every 4xx.
import { Type, type TString } from 'typebox'

/** Ids of customers, products and the like: letters, digits, _ and -, so nothing odd ever reaches a table or a log. */
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$'
export const Id = Type.String({ pattern: ID_PATTERN, maxLength: 64, description: 'Letters, digits, _ and -' })

/**
 * Free text (names, address lines, reasons) on one line with at least one visible character. It
 * refuses control characters (NUL, which PostgreSQL cannot store, among them), lone surrogates,
 * line and paragraph separators, and the bidirectional embeddings, overrides and isolates that
 * make text display as something else than it is (U+202A-U+202E, U+2066-U+2069). Invisible
 * characters are allowed beside visible ones (a joiner in an emoji, a Persian non-joiner) but
 * never count as the visible one: white space, format characters (\\p{Cf}: U+200B, U+00AD,
 * U+FEFF, U+200E, tag characters), the other default-ignorable ones (U+3164 HANGUL FILLER,
 * U+180E, variation selectors), U+2800 BRAILLE PATTERN BLANK, lone combining marks, and code
 * points no font draws: private use (\\p{Co}: U+E000…), unassigned ones and noncharacters
 * (\\p{Cn}: U+0378, U+FFFF). Every other script, accents and emoji included, is fine. Patterns are
 * matched with the `u` flag.
 */
export const TEXT_PATTERN = '^(?=.*[^\\s\\p{Cf}\\p{Default_Ignorable_Code_Point}\\p{M}\\u2800\\p{Co}\\p{Cn}])[^\\p{Cc}\\p{Cs}\\p{Zl}\\p{Zp}\\u202A-\\u202E\\u2066-\\u2069]+$'

export function Text(maxLength: number, options: { description?: string } = {}): TString {
  return Type.String({ minLength: 1, maxLength, pattern: TEXT_PATTERN, ...options })
}

/** The JSON body of every 4xx and 5xx, as the error handler renders it (see http.ts). */
export const ErrorBody = Type.Object({
  error: Type.String({ maxLength: 64 }),
  message: Type.String({ maxLength: 1000 }),
  field: Type.Optional(Type.String({ maxLength: 200 })),
  rule: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false })
