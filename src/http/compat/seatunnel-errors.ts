// Apache SeaTunnel's error shape, {"status":"fail","message"} (specs/seatunnel.md), v1 and v2 alike.
import { jsonErrors } from '../error-answer.ts';
import { obj, str } from '../route-schema.ts';

export const renderSeatunnelError = jsonErrors((err) => ({ status: 'fail', message: err.message }));

/** The shape as a shared schema (the `SeatunnelError` component). */
export const SEATUNNEL_ERROR_SCHEMA = {
  $id: 'SeatunnelError',
  description: "SeaTunnel's error answer",
  ...obj({ status: { const: 'fail' }, message: str }),
};
