/**
 * @colyseus/core 0.18 reads the global `WebSocket` (for its OPEN constant) when a client
 * reconnects. Node 22 has that global; Node 20 does not, and reconnection fails with
 * "WebSocket is not defined". The `ws` class has the same constants.
 */
import { WebSocket as WsWebSocket } from 'ws';

const g = globalThis as { WebSocket?: unknown };
if (g.WebSocket === undefined) g.WebSocket = WsWebSocket;
