/** Stage analytics of a definition, as JSON or as a CSV download. */
import { z } from 'zod';
import { analyticsCsv, stageAnalytics } from '../../queries/analytics.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, stageAnalyticsSchema } from '../contract.ts';
import { id } from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';

const time = z.iso.datetime({ offset: true });

const analyticsQuery = z
  .strictObject({
    version: z.coerce.number().int().min(1).max(1_000_000).optional(),
    from: time.optional().describe('Count stage visits entered and processes launched at or after this time'),
    to: time.optional().describe('… and before this time (exclusive)'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    message: '"from" must be before "to".',
    path: ['to'],
  });

const description = `Stage analytics of a definition, computed from the stage visits the engine records with the protocol.

**Counted.** A stage visit counts when it was *entered* within the period (\`from\` inclusive, \`to\` exclusive; each optional), a process when it was *launched* within it; both with what became of them since. Per stage: \`entered\` visits; \`completed\`, those that left through a transition (at an end stage: every visit, the process completed there); \`now\`, those still in the stage; \`medianMs\`/\`p90Ms\`, calendar time from entry to leaving through a transition (pauses included; cancelled and open visits are not timed; null when none), interpolated linearly between ranks like PostgreSQL \`percentile_cont\`; \`workingMedianMs\`/\`workingP90Ms\`, the same of the working time within that span on the business calendar in force when the visit was left (visits left before working time was recorded are not counted in them; null when none); \`results\`, every result declared on the stage plus any taken under another version, with the count of visits that left by it and its share of the stage's timed visits (4 decimals). Per definition: \`launched\`, and of those the \`completed\` and \`cancelled\` ones and the median launch-to-completion time.

**Precision.** Every count is exact. Percentiles are ranked exactly from the visits themselves for the stages whose timed visits in the scope add up to at most 20,000 (smallest stages first; for the lead time: at most 20,000 completed processes), and always for anyone but an administrator. The other percentiles of an administrator are read from per-day and per-month histograms with log-spaced buckets: each is within 2 % of the exact value (and 1 ms of rounding). Days are UTC days: the partial days at the ends of the period are always read from the visits themselves.

**Versions.** Without \`version\` all versions count and stages are matched by key, named as in the newest version that has them; with \`version\` only visits made under that version and processes on it. An unknown definition or version is 404.

**Access.** Administrators count every process. Anyone else counts only the processes they may see (those they are a member of), so the figures never show what they could not open.

**CSV.** \`format=csv\` answers \`text/csv; charset=utf-8\` as a download: a header row (\`${'stage_key,stage_name,entered,completed,now,median_ms,p90_ms,working_median_ms,working_p90_ms,result,to,count,share'}\`), then one row per stage and result (a stage without results: one row, result columns empty). RFC 4180 quoting, CRLF line ends, and a UTF-8 byte-order mark so spreadsheet programs show Cyrillic names right. Text that a spreadsheet would evaluate as a formula (starting with \`= + - @\`) is prefixed with an apostrophe.`;

export async function analyticsRoutes(app: App, { ctx }: RouteDeps): Promise<void> {
  app.get(
    '/api/definitions/:id/analytics',
    {
      schema: {
        tags: ['definitions'],
        summary: 'Stage analytics of a definition',
        description,
        params: z.strictObject({ id }),
        querystring: analyticsQuery,
        response: {
          200: {
            description: 'The analytics (JSON), or the same as CSV with `format=csv`.',
            content: {
              'application/json': { schema: stageAnalyticsSchema },
              'text/csv': { schema: z.string() },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { version, from, to, format } = request.query;
      const analytics = await stageAnalytics(ctx, actorOf(request), {
        definitionId: request.params.id,
        version,
        from: from === undefined ? undefined : Date.parse(from),
        to: to === undefined ? undefined : Date.parse(to),
      });
      if (format === 'json') return analytics;
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="analytics-${request.params.id}.csv"`);
      return analyticsCsv(analytics);
    },
  );
}
