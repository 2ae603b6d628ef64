// Apache SeaTunnel's error shape, {"status":"fail","message"} (specs/seatunnel.md), v1 and v2 alike.
import { jsonErrors } from '../error-answer.ts';

export const renderSeatunnelError = jsonErrors((err) => ({ status: 'fail', message: err.message }));
