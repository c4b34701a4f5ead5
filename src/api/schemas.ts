/** Request schemas shared by the routes. Bodies are strict: an unknown field is a 400. */
import { z } from 'zod';
import { LINK_TYPES } from '../domain/records.ts';

export const id = z.string().min(1).max(100);
export const idParams = z.strictObject({ id });

const text = (max: number) => z.string().max(max);
const duration = z.string().min(2).max(64).describe('ISO 8601 duration, e.g. PT2H, P30D');

export const listQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
};

export const stageSchema = z.strictObject({
  key: z.string().min(1).max(100),
  name: text(200),
  kind: z.enum(['start', 'normal', 'end']),
  responsibles: z.array(id).max(100).optional(),
  task: z
    .strictObject({
      title: text(500),
      description: text(5000).optional(),
      assignee: z.union([z.literal('responsible'), z.strictObject({ employeeId: id })]),
      blocking: z.boolean().optional(),
      startDelay: duration.optional(),
      dueIn: duration.optional(),
    })
    .optional(),
  event: z.strictObject({ type: text(100), comment: text(5000).optional() }).optional(),
  wait: duration.optional(),
  spawn: z.array(id).max(50).optional(),
  deadline: z
    .strictObject({ duration, working: z.boolean().optional() })
    .describe('When the stage falls due after entry: calendar time, or working time with "working"')
    .optional(),
  escalation: z
    .array(
      z.strictObject({
        after: duration,
        working: z.boolean().optional(),
        action: z.enum(['notify', 'reassign']),
        to: z
          .union([
            z.enum(['responsible', 'initiator', 'admins', 'next_online']),
            z.strictObject({ employeeId: id }),
          ])
          .optional(),
      }),
    )
    .max(10)
    .describe('Steps taken once each, measured from entering the stage on its clock (pauses stop it)')
    .optional(),
  position: z.strictObject({ x: z.number().finite(), y: z.number().finite() }).optional(),
});

export const transitionSchema = z.strictObject({
  from: z.string().min(1).max(100),
  to: z.string().min(1).max(100),
  result: text(200),
});

export const definitionBodySchema = {
  stages: z.array(stageSchema).max(2000),
  transitions: z.array(transitionSchema).max(10000),
};

export const linkSchema = z.strictObject({ type: z.enum(LINK_TYPES), id });

export const expectedVersion = z.number().int().min(0).optional();
