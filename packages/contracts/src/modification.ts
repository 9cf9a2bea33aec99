/**
 * The reason of a ReservationAdjusted (accepted: false) that undoes a modification stock-service
 * had accepted: payment could not charge the raise (PaymentFailed with its modificationId). Its
 * lines and total are the order's again as before the modification, and order-service takes them.
 */
export const MODIFICATION_PAYMENT_DECLINED = 'payment declined'

/** The reason of a ReservationAdjusted refusing a modification while an earlier one's raise awaits payment's answer. */
export const MODIFICATION_AWAITING_PAYMENT = 'an earlier modification awaits payment'
