// The catalogue's HTTP schemas: TypeBox gives validation, the TypeScript types and the OpenAPI document from one definition.
import { Type, type Static } from 'typebox'
import { Id, ID_PATTERN, Text } from '@choreo/platform'
import { MAX_UNITS } from '../../repositories/products.ts'

export const DEFAULT_PAGE_SIZE = 50
const MAX_PAGE_SIZE = 200

const Price = Type.Object({
  amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'unit price in minor units' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3 }),
}, { additionalProperties: false })

export const ProductResponse = Type.Object({
  productId: Type.String({ maxLength: 64 }),
  name: Type.String({ maxLength: 200 }),
  price: Price,
  available: Type.Integer({ minimum: 0, maximum: MAX_UNITS }),
  reserved: Type.Integer({ minimum: 0, maximum: MAX_UNITS }),
}, { additionalProperties: false })

export const CreateProduct = Type.Object({
  productId: Type.Optional(Id),
  name: Text(200),
  price: Price,
  quantity: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'units available to start with' }),
}, { additionalProperties: false })
export type CreateProduct = Static<typeof CreateProduct>

export const Restock = Type.Object({
  quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
}, { additionalProperties: false })

export const ProductParams = Type.Object({ productId: Id }, { additionalProperties: false })

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `page size, default ${DEFAULT_PAGE_SIZE}` })),
  cursor: Type.Optional(Type.String({ pattern: ID_PATTERN, maxLength: 64, description: 'nextCursor of the previous page' })),
}, { additionalProperties: false })

export const ProductPage = Type.Object({
  items: Type.Array(ProductResponse, { maxItems: MAX_PAGE_SIZE }),
  nextCursor: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
}, { additionalProperties: false })
export type ProductPage = Static<typeof ProductPage>
