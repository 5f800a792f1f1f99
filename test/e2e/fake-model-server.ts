/**
 * A fake OpenAI-compatible model server, so a real gateway runs real agent turns without a
 * model (facts §11). Listens on 127.0.0.1 at a free port.
 *
 * - `GET /v1/models` → `{object:"list", data:[{id:"fake-1", …}]}`.
 * - `POST /v1/chat/completions` → a reply, streamed as SSE `chat.completion.chunk` lines ending
 *   `data: [DONE]` when `stream` is true (the gateway always streams), else one
 *   `chat.completion` object.
 *
 * The last user message picks the behaviour, so a test chooses it per turn:
 * - contains `[[slow]]`: stream one token a second until the client goes away (a turn in
 *   progress, for abort and kill -9);
 * - contains `[[hang]]`: send the headers, then nothing (the gateway's model idle timeout);
 * - contains `[[fail]]`: HTTP 500 with an OpenAI-style error body;
 * - anything else: a short reply at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_MODEL_ID = 'fake-1';

export type FakeMode = 'ok' | 'slow' | 'hang' | 'fail';

export interface FakeModelRequest {
  mode: FakeMode;
  stream: boolean;
  lastUserText: string;
  at: number;
}

export class FakeModelServer {
  private server: Server | null = null;
  private readonly open = new Set<ServerResponse>();
  readonly requests: FakeModelRequest[] = [];
  port = 0;

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.open.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = (req.url ?? '').split('?')[0]!.replace(/\/+$/, '');
    if (req.method === 'GET' && url.endsWith('/models')) {
      return json(res, 200, { object: 'list', data: [{ id: FAKE_MODEL_ID, object: 'model', created: 0, owned_by: 'openclaw-sessions-tests' }] });
    }
    if (req.method !== 'POST' || !url.endsWith('/chat/completions')) return json(res, 404, { error: { message: `no route ${req.method} ${url}`, type: 'not_found' } });
    let body: { stream?: boolean; messages?: Array<{ role?: string; content?: unknown }> };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return json(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
    }
    const lastUserText = lastUser(body.messages ?? []);
    const mode: FakeMode = lastUserText.includes('[[slow]]') ? 'slow' : lastUserText.includes('[[hang]]') ? 'hang' : lastUserText.includes('[[fail]]') ? 'fail' : 'ok';
    const stream = body.stream === true;
    this.requests.push({ mode, stream, lastUserText, at: Date.now() });
    if (mode === 'fail') return json(res, 500, { error: { message: 'fake model: internal error (requested by [[fail]])', type: 'server_error', code: 'internal_error' } });
    const reply = mode === 'ok' ? `ok: ${lastUserText.slice(0, 60)}` : 'working';
    if (!stream) {
      if (mode !== 'ok') return this.holdOpen(res, mode);
      return json(res, 200, {
        id: `chatcmpl-${Date.now()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: FAKE_MODEL_ID,
        choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const id = `chatcmpl-${Date.now()}`;
    const chunk = (delta: object, finish: string | null): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: FAKE_MODEL_ID, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    if (mode === 'ok') {
      res.write(chunk({ role: 'assistant', content: reply }, null));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
      return;
    }
    if (mode === 'hang') {
      res.flushHeaders();
      return this.holdOpen(res, mode);
    }
    // slow: a token a second until the gateway hangs up (abort, kill) or 10 minutes pass.
    this.open.add(res);
    res.write(chunk({ role: 'assistant', content: 'working' }, null));
    const timer = setInterval(() => {
      if (res.destroyed || res.writableEnded) return clearInterval(timer);
      res.write(chunk({ content: '.' }, null));
    }, 1000);
    const stop = setTimeout(() => {
      clearInterval(timer);
      if (!res.writableEnded) {
        res.write(chunk({}, 'stop'));
        res.end('data: [DONE]\n\n');
      }
    }, 600_000);
    res.on('close', () => {
      clearInterval(timer);
      clearTimeout(stop);
      this.open.delete(res);
    });
  }

  private holdOpen(res: ServerResponse, _mode: FakeMode): void {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The text of the last user message; content may be a string or OpenAI content parts. */
function lastUser(messages: Array<{ role?: string; content?: unknown }>): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) return message.content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return '';
}
