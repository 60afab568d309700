// Exec wire format: channel-prefixed binary frames (1 stdout, 2 stderr, 3 status JSON)
// and HTTP refusals written on the raw socket before a WebSocket upgrade.
import { STATUS_CODES } from "http";
import { Socket } from "net";
import { WebSocket } from "ws";
import { ExecReply } from "./exec-handlers";
import * as S from "./status";

export function statusOf(reply: ExecReply, command: string[]): object {
    if (reply.error !== undefined) return S.execInternalError(reply.error);
    const code = reply.exitCode ?? 0;
    return code === 0 ? S.execSuccess() : S.execExitCode(command, code);
}

export function sendChannel(ws: WebSocket, channel: number, data: string | Buffer | undefined): void {
    if (data === undefined || data.length === 0) return;
    const payload = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    ws.send(Buffer.concat([Buffer.from([channel]), payload]));
}

export function rejectUpgrade(socket: Socket, code: number, body: object): void {
    const text = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}
