import { z } from 'zod';
import { isoTime } from '../../domain/clock.ts';
import { authenticate } from '../../services/employees.ts';
import { listNotifications, markAllRead, markRead } from '../../services/notifications.ts';
import { actorOf } from '../auth.ts';
import {
  errorResponses,
  notificationPageSchema,
  notificationSchema,
  readAllAnswerSchema,
} from '../contract.ts';
import { idParams } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

const tags = ['notifications'];
/** A comment line keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 20_000;

export async function notificationRoutes(app: App, { ctx, live }: RouteDeps): Promise<void> {
  app.get(
    '/api/notifications',
    {
      schema: {
        tags,
        querystring: z.object({
          unread: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().max(100).optional(),
        }),
        response: { 200: notificationPageSchema, ...errorResponses },
      },
    },
    async (request) =>
      listNotifications(ctx, actorOf(request), {
        unread: request.query.unread === 'true',
        limit: request.query.limit,
        before: request.query.cursor,
      }),
  );

  app.post(
    '/api/notifications/:id/read',
    { schema: { tags, params: idParams, response: { 200: notificationSchema, ...errorResponses } } },
    async (request) => markRead(ctx, actorOf(request), request.params.id),
  );

  app.post(
    '/api/notifications/read-all',
    { schema: { tags, response: { 200: readAllAnswerSchema, ...errorResponses } } },
    async (request) => ({ updated: await markAllRead(ctx, actorOf(request)) }),
  );

  /**
   * Server-Sent Events of the caller's new notifications; while one is open, the caller is online.
   * The stream lives no longer than its session: a logout (on any node) ends it at once, and before
   * each write the session is checked again, so an expiry ends it at the next notification or keepalive.
   */
  const stream = {
    tags,
    response: {
      200: {
        description: 'Server-Sent Events: `ready` once, then one `notification` event per notification.',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      ...errorResponses,
    },
  };
  app.get('/api/notifications/stream', { schema: stream }, (request, reply) => {
    const actor = actorOf(request);
    const token = request.sessionToken;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let closed = false;
    let writes = Promise.resolve();
    /** Writes in order, once the session is known to be still valid; otherwise ends the stream. */
    const send = (text: string) => {
      writes = writes.then(async () => {
        if (closed) return;
        const current = token ? await authenticate(ctx, token).catch(() => undefined) : undefined;
        if (closed) return;
        if (current?.id !== actor.id) end();
        else res.write(text);
      });
    };
    const stop = live?.hub.listen(actor.id, (n) => {
      const data = {
        id: n.id,
        kind: n.kind,
        processId: n.processId,
        text: n.text,
        details: n.details,
        read: false,
        at: isoTime(n.at),
      };
      send(`id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(data)}\n\n`);
    });
    const unwatch = token ? live?.hub.watchSession(token, () => end()) : undefined;
    live?.presence.connect(actor.id);
    // Once the client sees `ready`, it counts as online on this node.
    res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ employeeId: actor.id })}\n\n`);
    const keepalive = setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepalive);
      stop?.();
      unwatch?.();
      live?.presence.disconnect(actor.id);
    };
    const end = () => {
      close();
      res.end();
    };
    request.raw.on('close', close);
    res.on('close', close);
  });
}
