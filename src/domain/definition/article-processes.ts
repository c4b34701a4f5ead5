/**
 * The article's two processes, "Monitoring lost clients" and "Delivery of goods", as definition
 * bodies in English and Russian: what the demo publishes, and what tests run. Pure data; who
 * works each stage is given by the caller (a stage given nobody has no responsibles).
 */
import type { DefinitionBody, Stage, Transition } from './types.ts';

export type ArticleLanguage = 'en' | 'ru';

/** The words of both processes in each language; keys name what they are for. */
export const ARTICLE_WORDS = {
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
  },
} as const;

export type ArticleWords = (typeof ARTICLE_WORDS)[ArticleLanguage];

/** Who works "Monitoring lost clients", and the definitions its "Picking and delivery" launches. */
export interface MonitoringStaff {
  readonly callers?: readonly string[] | undefined;
  readonly senior?: string | undefined;
  readonly spawn?: readonly string[] | undefined;
  /**
   * Time control on "Call the client": a deadline of one working day (9 working hours) and, after 4
   * working hours unfinished, a reminder to the senior manager.
   */
  readonly timeControl?: boolean | undefined;
}

/** Who works "Delivery of goods". */
export interface DeliveryStaff {
  readonly warehouse?: string | undefined;
  readonly logistician?: string | undefined;
  readonly senior?: string | undefined;
}

/** The `responsibles` of a stage, or nothing when none are given. */
function staffed(ids: readonly string[] | undefined): Pick<Stage, 'responsibles'> {
  return ids ? { responsibles: ids } : {};
}

function one(id: string | undefined): readonly string[] | undefined {
  return id === undefined ? undefined : [id];
}

/** Transitions written as `{ from: { to: result } }`, the result named by its key in the words. */
function flow(w: ArticleWords, ways: Record<string, Record<string, keyof ArticleWords>>): Transition[] {
  return Object.entries(ways).flatMap(([from, outs]) =>
    Object.entries(outs).map(([to, result]) => ({ from, to, result: w[result] })),
  );
}

/** Monitoring lost clients: call through clients who left, learn why, try to win them back. */
export function monitoringBody(lang: ArticleLanguage, staff: MonitoringStaff = {}): DefinitionBody {
  const w = ARTICLE_WORDS[lang];
  return {
    stages: [
      {
        key: 'call',
        name: w.call,
        kind: 'start',
        ...staffed(staff.callers),
        event: { type: 'call', comment: w.call },
        ...(staff.timeControl
          ? {
              deadline: { duration: 'PT9H', working: true },
              escalation: [
                {
                  after: 'PT4H',
                  working: true,
                  action: 'notify' as const,
                  to: staff.senior ? { employeeId: staff.senior } : ('admins' as const),
                },
              ],
            }
          : {}),
      },
      { key: 'analyse', name: w.analyse, kind: 'normal', ...staffed(one(staff.senior)) },
      {
        key: 'offer',
        name: w.offer,
        kind: 'normal',
        task: { title: w.offerTask, assignee: 'responsible', blocking: true },
      },
      { key: 'rest', name: w.rest, kind: 'normal', wait: 'P30D' },
      { key: 'delivery', name: w.picking, kind: 'end', ...(staff.spawn ? { spawn: staff.spawn } : {}) },
      { key: 'lost', name: w.lost, kind: 'end', event: { type: 'note', comment: w.lostNote } },
    ],
    transitions: flow(w, {
      call: { analyse: 'reached', rest: 'notReached' },
      analyse: { offer: 'chance', lost: 'cannot' },
      offer: { delivery: 'paid', rest: 'thinking', lost: 'refused' },
      rest: { call: 'continue' },
    }),
  };
}

/** Delivery of goods: transport logistics and document control. */
export function deliveryBody(lang: ArticleLanguage, staff: DeliveryStaff = {}): DefinitionBody {
  const w = ARTICLE_WORDS[lang];
  return {
    stages: [
      { key: 'pick', name: w.pick, kind: 'start', ...staffed(one(staff.warehouse)) },
      {
        key: 'carrier',
        name: w.carrier,
        kind: 'normal',
        ...staffed(one(staff.logistician)),
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
      { key: 'claim', name: w.claim, kind: 'normal', ...staffed(one(staff.senior)) },
      { key: 'delivered', name: w.delivered, kind: 'end' },
    ],
    transitions: flow(w, {
      pick: { carrier: 'picked' },
      carrier: { ship: 'chosen' },
      ship: { transit: 'shipped' },
      transit: { docs: 'continue' },
      docs: { delivered: 'received', claim: 'claim' },
      claim: { delivered: 'settled' },
    }),
  };
}
