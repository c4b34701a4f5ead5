/** Test fixtures: the article's two processes (see article-processes.ts) with fixed employee ids. */
import { deliveryBody, monitoringBody } from './article-processes.ts';
import type { DefinitionBody } from './types.ts';

/** The id the "Delivery of goods" definition has in the fixtures. */
export const DELIVERY_ID = 'def-delivery';
/** The id the "Monitoring lost clients" definition has in the fixtures. */
export const LOST_CLIENTS_ID = 'def-lost-clients';

const article = monitoringBody('en', {
  callers: ['manager-anna', 'manager-boris'],
  senior: 'senior-vera',
  spawn: [DELIVERY_ID],
});

/**
 * Monitoring lost clients; its offer task falls due a day after it opens, so due times can be
 * checked across a daylight-saving change.
 */
export const lostClients: DefinitionBody = {
  ...article,
  stages: article.stages.map((s) =>
    s.key === 'offer' && s.task ? { ...s, task: { ...s.task, dueIn: 'P1D' } } : s,
  ),
};

/** Delivery of goods: transport logistics and document control. */
export const deliveryOfGoods: DefinitionBody = deliveryBody('en', {
  warehouse: 'warehouse-gleb',
  logistician: 'logistician-lena',
  senior: 'senior-vera',
});
