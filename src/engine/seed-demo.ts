/**
 * Demo content for a new, empty database: the article's two processes, employees, counterparties,
 * orders, invoices and running processes at various stages. Returns the lines to print (demo logins).
 */
import type { Stage, Transition } from '../domain/definition/types.ts';
import type { Actor, EngineContext } from './context.ts';
import { createDefinition, publishDefinition } from './definitions.ts';
import { createEmployee } from './employees.ts';
import { launchProcess } from './launch.ts';
import { moveStage } from './move-stage.ts';
import { createRecord } from './records.ts';

export const DEMO_PASSWORD = 'demo1234';

const PEOPLE = [
  { login: 'anna', name: 'Anna Petrova', role: 'admin' },
  { login: 'boris', name: 'Boris Ivanov', role: 'manager' },
  { login: 'vera', name: 'Vera Smirnova', role: 'manager' },
  { login: 'gleb', name: 'Gleb Orlov', role: 'manager' },
  { login: 'daria', name: 'Daria Kuznetsova', role: 'manager' },
  { login: 'lev', name: 'Lev Sokolov', role: 'manager' },
] as const;

const CLIENTS = [
  ['LLC Romashka', 'Lost'],
  ['Northwind Trading', 'Lost'],
  ['Vostok Logistics', 'Lost'],
  ['Baltic Foods', 'Lost'],
  ['Ural Steelworks', 'Lost'],
  ['Sibir Pharma', null],
  ['Volga Motors', null],
  ['Neva Print', null],
  ['Altai Honey', null],
  ['Kama Paper', null],
  ['Oka Textiles', null],
  ['Don Agro', null],
] as const;

/** Fills the database with demo content once; a database that has any definition is left alone. */
export async function seedDemo(ctx: EngineContext): Promise<string[]> {
  const db = ctx.store.db;
  const seeded = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', 'demo_seeded')
    .executeTakeFirst();
  const anyDefinition = await db.selectFrom('definitions').select('id').limit(1).executeTakeFirst();
  if (seeded || anyDefinition) return [];
  await ctx.store.transaction((tx) =>
    tx.insertInto('settings').values({ key: 'demo_seeded', value: '1' }).execute(),
  );

  const people: Record<string, Actor> = {};
  for (const p of PEOPLE) {
    const e = await createEmployee(ctx, { ...p, password: DEMO_PASSWORD });
    people[p.login] = { id: e.id, role: e.role, name: e.name };
  }
  const anna = people.anna as Actor;
  const id = (login: keyof typeof people) => (people[login] as Actor).id;

  const delivery = await createDefinition(ctx, anna, {
    name: 'Delivery of goods',
    description: 'Transport logistics and document control.',
    ...deliveryBody(id('daria'), id('lev'), id('boris')),
  });
  await publishDefinition(ctx, anna, delivery.id);
  const monitoring = await createDefinition(ctx, anna, {
    name: 'Monitoring lost clients',
    description: 'Call through clients who left, learn why, try to win them back with a special offer.',
    ...monitoringBody([id('vera'), id('gleb')], id('boris'), delivery.id),
  });
  await publishDefinition(ctx, anna, monitoring.id);

  const clients: string[] = [];
  for (const [i, [name, group]] of CLIENTS.entries()) {
    const c = await createRecord(ctx, 'counterparties', {
      name,
      group,
      phone: `+7 495 000-00-${String(10 + i).padStart(2, '0')}`,
      email: `office@${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
    });
    clients.push(c.id);
    await createRecord(ctx, 'orders', {
      number: `ORD-${1001 + i}`,
      counterpartyId: c.id,
      amount: 15000 + i * 2500,
    });
    await createRecord(ctx, 'invoices', {
      number: `INV-${2001 + i}`,
      counterpartyId: c.id,
      amount: 15000 + i * 2500,
    });
  }

  // Running processes at various stages, launched by the managers.
  const vera = people.vera as Actor;
  const boris = people.boris as Actor;
  const walks: readonly (readonly [string, Actor, readonly string[]])[] = [
    [clients[0] as string, vera, []],
    [clients[1] as string, vera, ['Reached']],
    [clients[2] as string, vera, ['Not reached']],
    [clients[3] as string, boris, ['Reached', 'Chance to return']],
    [clients[4] as string, boris, ['Reached', 'Cannot return']],
  ];
  for (const [counterpartyId, actor, results] of walks) {
    const row = await launchProcess(ctx, actor, {
      definitionId: monitoring.id,
      counterpartyId,
      note: 'From the list of lost clients.',
    });
    for (const result of results) {
      await moveStage(ctx, actor, row.id, { state: 'done', result });
    }
  }

  return [
    `Demo content loaded. Demo logins (password "${DEMO_PASSWORD}"):`,
    ...PEOPLE.map((p) => `  ${p.login.padEnd(6)} ${p.name} (${p.role})`),
  ];
}

function monitoringBody(
  callers: string[],
  senior: string,
  deliveryId: string,
): { stages: Stage[]; transitions: Transition[] } {
  return {
    stages: [
      {
        key: 'call',
        name: 'Call the client',
        kind: 'start',
        responsibles: callers,
        event: { type: 'call', comment: 'Call the client' },
      },
      { key: 'analyse', name: 'Analyse the reasons', kind: 'normal', responsibles: [senior] },
      {
        key: 'offer',
        name: 'Prepare an offer',
        kind: 'normal',
        task: { title: 'Prepare the commercial offer', assignee: 'responsible', blocking: true },
      },
      { key: 'rest', name: 'Rest', kind: 'normal', wait: 'P30D' },
      { key: 'delivery', name: 'Picking and delivery', kind: 'end', spawn: [deliveryId] },
      {
        key: 'lost',
        name: 'Client lost',
        kind: 'end',
        event: { type: 'note', comment: 'The client is lost' },
      },
    ],
    transitions: [
      { from: 'call', to: 'analyse', result: 'Reached' },
      { from: 'call', to: 'rest', result: 'Not reached' },
      { from: 'analyse', to: 'offer', result: 'Chance to return' },
      { from: 'analyse', to: 'lost', result: 'Cannot return' },
      { from: 'offer', to: 'delivery', result: 'Paid the invoice' },
      { from: 'offer', to: 'rest', result: 'Thinking' },
      { from: 'offer', to: 'lost', result: 'Refused' },
      { from: 'rest', to: 'call', result: 'Continue' },
    ],
  };
}

function deliveryBody(
  warehouse: string,
  logistician: string,
  senior: string,
): { stages: Stage[]; transitions: Transition[] } {
  return {
    stages: [
      { key: 'pick', name: 'Pick the order', kind: 'start', responsibles: [warehouse] },
      {
        key: 'carrier',
        name: 'Choose a carrier',
        kind: 'normal',
        responsibles: [logistician],
        task: { title: 'Choose a carrier', assignee: 'responsible', dueIn: 'P1D' },
      },
      {
        key: 'ship',
        name: 'Shipment',
        kind: 'normal',
        event: { type: 'letter', comment: 'Shipping documents sent' },
      },
      { key: 'transit', name: 'In transit', kind: 'normal', wait: 'P3D' },
      {
        key: 'docs',
        name: 'Documents control',
        kind: 'normal',
        task: { title: 'Get the signed waybill back', assignee: 'responsible', blocking: true },
      },
      { key: 'claim', name: 'Claim', kind: 'normal', responsibles: [senior] },
      { key: 'delivered', name: 'Delivered', kind: 'end' },
    ],
    transitions: [
      { from: 'pick', to: 'carrier', result: 'Picked' },
      { from: 'carrier', to: 'ship', result: 'Chosen' },
      { from: 'ship', to: 'transit', result: 'Shipped' },
      { from: 'transit', to: 'docs', result: 'Continue' },
      { from: 'docs', to: 'delivered', result: 'Documents received' },
      { from: 'docs', to: 'claim', result: 'Claim' },
      { from: 'claim', to: 'delivered', result: 'Settled' },
    ],
  };
}
