/**
 * Demo content for a new, empty database: the article's two processes, employees, counterparties,
 * orders, invoices and running processes at various stages. Returns the lines to print (demo logins).
 */

import type { Actor, EngineContext } from '../context.ts';
import {
  ARTICLE_WORDS,
  type ArticleLanguage,
  type ArticleWords,
  deliveryBody,
  monitoringBody,
} from '../domain/definition/article-processes.ts';
import { launchProcess } from '../engine/launch.ts';
import { moveStage } from '../engine/move-stage.ts';
import { createDefinition, publishDefinition } from '../services/definitions.ts';
import { createEmployee } from '../services/employees.ts';
import { createRecord } from '../services/records.ts';
import { anyDefinition } from '../store/definitions.ts';
import { getSetting, insertSetting } from '../store/settings.ts';

export const DEMO_PASSWORD = 'demo1234';

export type DemoLanguage = ArticleLanguage;

/** The demo's words in each language besides its processes' (ARTICLE_WORDS); keys name what they are for. */
const WORDS = {
  en: {
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

type Words = (typeof WORDS)[DemoLanguage] & ArticleWords;

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
  const w: Words = { ...ARTICLE_WORDS[lang], ...WORDS[lang] };
  const db = ctx.store.db;
  const seeded = await getSetting(db, 'demo_seeded');
  const defined = await anyDefinition(db);
  if (seeded !== undefined || defined) return [];
  await ctx.store.transaction((tx) => insertSetting(tx, 'demo_seeded', '1'));

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
    ...deliveryBody(lang, { warehouse: id('daria'), logistician: id('lev'), senior: id('boris') }),
  });
  await publishDefinition(ctx, anna, delivery.id);
  const monitoring = await createDefinition(ctx, anna, {
    name: w.monitoring,
    description: w.monitoringAbout,
    ...monitoringBody(lang, {
      callers: [id('vera'), id('gleb')],
      senior: id('boris'),
      spawn: [delivery.id],
      timeControl: true,
    }),
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
