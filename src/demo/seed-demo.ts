/**
 * Demo content for a new, empty database: the article's two processes, employees, counterparties,
 * orders, invoices and running processes at various stages. Returns the lines to print (demo logins).
 */

import type { Actor, EngineContext } from '../context.ts';
import type { Stage, Transition } from '../domain/definition/types.ts';
import { launchProcess } from '../engine/launch.ts';
import { moveStage } from '../engine/move-stage.ts';
import { createDefinition, publishDefinition } from '../services/definitions.ts';
import { createEmployee } from '../services/employees.ts';
import { createRecord } from '../services/records.ts';

export const DEMO_PASSWORD = 'demo1234';

export type DemoLanguage = 'en' | 'ru';

/** The demo's words in each language; keys name what they are for. */
const WORDS = {
  en: {
    monitoring: 'Monitoring lost clients',
    monitoringAbout: 'Call through clients who left, learn why, try to win them back with a special offer.',
    delivery: 'Delivery of goods',
    deliveryAbout: 'Transport logistics and document control.',
    call: 'Call the client',
    analyse: 'Analyse the reasons',
    offer: 'Prepare an offer',
    offerTask: 'Prepare the commercial offer',
    rest: 'Rest',
    picking: 'Picking and delivery',
    lost: 'Client lost',
    lostNote: 'The client is lost',
    reached: 'Reached',
    notReached: 'Not reached',
    chance: 'Chance to return',
    cannot: 'Cannot return',
    paid: 'Paid the invoice',
    thinking: 'Thinking',
    refused: 'Refused',
    continue: 'Continue',
    pick: 'Pick the order',
    carrier: 'Choose a carrier',
    ship: 'Shipment',
    shipNote: 'Shipping documents sent',
    transit: 'In transit',
    docs: 'Documents control',
    docsTask: 'Get the signed waybill back',
    claim: 'Claim',
    delivered: 'Delivered',
    picked: 'Picked',
    chosen: 'Chosen',
    shipped: 'Shipped',
    received: 'Documents received',
    settled: 'Settled',
    lostGroup: 'Lost',
    launchNote: 'From the list of lost clients.',
    people: [
      'Anna Petrova',
      'Boris Ivanov',
      'Vera Smirnova',
      'Gleb Orlov',
      'Daria Kuznetsova',
      'Lev Sokolov',
    ],
    clients: [
      'LLC Romashka',
      'Northwind Trading',
      'Vostok Logistics',
      'Baltic Foods',
      'Ural Steelworks',
      'Sibir Pharma',
      'Volga Motors',
      'Neva Print',
      'Altai Honey',
      'Kama Paper',
      'Oka Textiles',
      'Don Agro',
    ],
  },
  ru: {
    monitoring: 'Мониторинг потерянных клиентов',
    monitoringAbout: 'Обзвон ушедших клиентов: узнать причину и вернуть специальным предложением.',
    delivery: 'Доставка товара',
    deliveryAbout: 'Транспортная логистика и контроль документов.',
    call: 'Звонок клиенту',
    analyse: 'Анализ причин отказа',
    offer: 'Подготовка КП',
    offerTask: 'Подготовить коммерческое предложение',
    rest: 'Отдых',
    picking: 'Комплектация, доставка',
    lost: 'Клиент потерян',
    lostNote: 'Клиент потерян',
    reached: 'Дозвонились',
    notReached: 'Не дозвонились',
    chance: 'Есть шанс вернуть',
    cannot: 'Вернуть нельзя',
    paid: 'Оплатил счёт',
    thinking: 'Думает',
    refused: 'Отказ',
    continue: 'Продолжить',
    pick: 'Комплектация заказа',
    carrier: 'Выбор перевозчика',
    ship: 'Отгрузка',
    shipNote: 'Отгрузочные документы отправлены',
    transit: 'В пути',
    docs: 'Контроль документов',
    docsTask: 'Получить подписанную накладную',
    claim: 'Претензия',
    delivered: 'Доставлено',
    picked: 'Скомплектован',
    chosen: 'Выбран',
    shipped: 'Отгружен',
    received: 'Документы получены',
    settled: 'Урегулирована',
    lostGroup: 'Потерянные',
    launchNote: 'Из списка потерянных клиентов.',
    people: ['Анна Петрова', 'Борис Иванов', 'Вера Смирнова', 'Глеб Орлов', 'Дарья Кузнецова', 'Лев Соколов'],
    clients: [
      'ООО «Ромашка»',
      'ТД «Северный ветер»',
      'Восток-Логистик',
      'Балтийские продукты',
      'Уральский металл',
      'Сибирь-Фарм',
      'Волга-Моторс',
      'Нева-Принт',
      'Алтайский мёд',
      'Кама-Бумага',
      'Ока-Текстиль',
      'Дон-Агро',
    ],
  },
} as const;

type Words = (typeof WORDS)[DemoLanguage];

const LOGINS = [
  ['anna', 'admin'],
  ['boris', 'manager'],
  ['vera', 'manager'],
  ['gleb', 'manager'],
  ['daria', 'manager'],
  ['lev', 'manager'],
] as const;

/** The first five clients are in the "Lost" group. */
const LOST_CLIENTS = 5;

/** Fills the database with demo content once; a database that has any definition is left alone. */
export async function seedDemo(ctx: EngineContext, lang: DemoLanguage = 'en'): Promise<string[]> {
  const w: Words = WORDS[lang];
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
  const accounts = LOGINS.map(([login, role], i) => ({ login, role, name: w.people[i] as string }));
  for (const p of accounts) {
    const e = await createEmployee(ctx, { ...p, password: DEMO_PASSWORD });
    people[p.login] = { id: e.id, role: e.role, name: e.name };
  }
  const anna = people.anna as Actor;
  const id = (login: keyof typeof people) => (people[login] as Actor).id;

  const delivery = await createDefinition(ctx, anna, {
    name: w.delivery,
    description: w.deliveryAbout,
    ...deliveryBody(w, id('daria'), id('lev'), id('boris')),
  });
  await publishDefinition(ctx, anna, delivery.id);
  const monitoring = await createDefinition(ctx, anna, {
    name: w.monitoring,
    description: w.monitoringAbout,
    ...monitoringBody(w, [id('vera'), id('gleb')], id('boris'), delivery.id),
  });
  await publishDefinition(ctx, anna, monitoring.id);

  const clients: string[] = [];
  for (const [i, name] of w.clients.entries()) {
    const c = await createRecord(ctx, 'counterparties', {
      name,
      group: i < LOST_CLIENTS ? w.lostGroup : null,
      phone: `+7 495 000-00-${String(10 + i).padStart(2, '0')}`,
      email: `office${i + 1}@client.example`,
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
    [clients[1] as string, vera, [w.reached]],
    [clients[2] as string, vera, [w.notReached]],
    [clients[3] as string, boris, [w.reached, w.chance]],
    [clients[4] as string, boris, [w.reached, w.cannot]],
  ];
  for (const [counterpartyId, actor, results] of walks) {
    let row = await launchProcess(ctx, actor, {
      definitionId: monitoring.id,
      counterpartyId,
      note: w.launchNote,
    });
    // Each stage is finished by its own responsible, as the engine requires.
    const byId = new Map(Object.values(people).map((p) => [p.id, p]));
    for (const result of results) {
      const owner = (row.responsible_id && byId.get(row.responsible_id)) || actor;
      row = await moveStage(ctx, owner, row.id, { state: 'done', result });
    }
  }

  return [
    `Demo content loaded. Demo logins (password "${DEMO_PASSWORD}"):`,
    ...accounts.map((p) => `  ${p.login.padEnd(6)} ${p.name} (${p.role})`),
  ];
}

function monitoringBody(
  w: Words,
  callers: string[],
  senior: string,
  deliveryId: string,
): { stages: Stage[]; transitions: Transition[] } {
  return {
    stages: [
      {
        key: 'call',
        name: w.call,
        kind: 'start',
        responsibles: callers,
        event: { type: 'call', comment: w.call },
      },
      { key: 'analyse', name: w.analyse, kind: 'normal', responsibles: [senior] },
      {
        key: 'offer',
        name: w.offer,
        kind: 'normal',
        task: { title: w.offerTask, assignee: 'responsible', blocking: true },
      },
      { key: 'rest', name: w.rest, kind: 'normal', wait: 'P30D' },
      { key: 'delivery', name: w.picking, kind: 'end', spawn: [deliveryId] },
      { key: 'lost', name: w.lost, kind: 'end', event: { type: 'note', comment: w.lostNote } },
    ],
    transitions: [
      { from: 'call', to: 'analyse', result: w.reached },
      { from: 'call', to: 'rest', result: w.notReached },
      { from: 'analyse', to: 'offer', result: w.chance },
      { from: 'analyse', to: 'lost', result: w.cannot },
      { from: 'offer', to: 'delivery', result: w.paid },
      { from: 'offer', to: 'rest', result: w.thinking },
      { from: 'offer', to: 'lost', result: w.refused },
      { from: 'rest', to: 'call', result: w.continue },
    ],
  };
}

function deliveryBody(
  w: Words,
  warehouse: string,
  logistician: string,
  senior: string,
): { stages: Stage[]; transitions: Transition[] } {
  return {
    stages: [
      { key: 'pick', name: w.pick, kind: 'start', responsibles: [warehouse] },
      {
        key: 'carrier',
        name: w.carrier,
        kind: 'normal',
        responsibles: [logistician],
        task: { title: w.carrier, assignee: 'responsible', dueIn: 'P1D' },
      },
      { key: 'ship', name: w.ship, kind: 'normal', event: { type: 'letter', comment: w.shipNote } },
      { key: 'transit', name: w.transit, kind: 'normal', wait: 'P3D' },
      {
        key: 'docs',
        name: w.docs,
        kind: 'normal',
        task: { title: w.docsTask, assignee: 'responsible', blocking: true },
      },
      { key: 'claim', name: w.claim, kind: 'normal', responsibles: [senior] },
      { key: 'delivered', name: w.delivered, kind: 'end' },
    ],
    transitions: [
      { from: 'pick', to: 'carrier', result: w.picked },
      { from: 'carrier', to: 'ship', result: w.chosen },
      { from: 'ship', to: 'transit', result: w.shipped },
      { from: 'transit', to: 'docs', result: w.continue },
      { from: 'docs', to: 'delivered', result: w.received },
      { from: 'docs', to: 'claim', result: w.claim },
      { from: 'claim', to: 'delivered', result: w.settled },
    ],
  };
}
