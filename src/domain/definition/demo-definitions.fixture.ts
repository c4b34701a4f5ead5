/** Test fixtures: the demo's two processes ("Monitoring lost clients", "Delivery of goods") as definition bodies. */
import type { DefinitionBody } from './types.ts';

/** The id the "Delivery of goods" definition has in the fixtures. */
export const DELIVERY_ID = 'def-delivery';
/** The id the "Monitoring lost clients" definition has in the fixtures. */
export const LOST_CLIENTS_ID = 'def-lost-clients';

/** Monitoring lost clients: call through clients who left, learn why, try to win them back. */
export const lostClients: DefinitionBody = {
  stages: [
    {
      key: 'call',
      name: 'Call the client',
      kind: 'start',
      responsibles: ['manager-anna', 'manager-boris'],
      event: { type: 'call', comment: 'Call the lost client' },
      position: { x: 0, y: 0 },
    },
    { key: 'analyse', name: 'Analyse the reasons', kind: 'normal', responsibles: ['senior-vera'] },
    {
      key: 'offer',
      name: 'Prepare an offer',
      kind: 'normal',
      task: { title: 'Prepare the commercial offer', assignee: 'responsible', blocking: true, dueIn: 'P1D' },
    },
    { key: 'rest', name: 'Rest', kind: 'normal', wait: 'P30D' },
    { key: 'delivery', name: 'Picking and delivery', kind: 'end', spawn: [DELIVERY_ID] },
    { key: 'lost', name: 'Client lost', kind: 'end', event: { type: 'note' } },
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

/** Delivery of goods: transport logistics and document control. */
export const deliveryOfGoods: DefinitionBody = {
  stages: [
    { key: 'pick', name: 'Pick the order', kind: 'start', responsibles: ['warehouse-gleb'] },
    {
      key: 'carrier',
      name: 'Choose a carrier',
      kind: 'normal',
      responsibles: ['logistician-lena'],
      task: { title: 'Choose a carrier', assignee: 'responsible', dueIn: 'P1D' },
    },
    {
      key: 'shipment',
      name: 'Shipment',
      kind: 'normal',
      event: { type: 'letter', comment: 'Shipping documents sent' },
    },
    { key: 'transit', name: 'In transit', kind: 'normal', wait: 'P3D' },
    {
      key: 'documents',
      name: 'Documents control',
      kind: 'normal',
      task: { title: 'Get the signed waybill back', assignee: 'responsible', blocking: true },
    },
    { key: 'claim', name: 'Claim', kind: 'normal', responsibles: ['senior-vera'] },
    { key: 'delivered', name: 'Delivered', kind: 'end' },
  ],
  transitions: [
    { from: 'pick', to: 'carrier', result: 'Picked' },
    { from: 'carrier', to: 'shipment', result: 'Chosen' },
    { from: 'shipment', to: 'transit', result: 'Shipped' },
    { from: 'transit', to: 'documents', result: 'Continue' },
    { from: 'documents', to: 'delivered', result: 'Documents received' },
    { from: 'documents', to: 'claim', result: 'Claim' },
    { from: 'claim', to: 'delivered', result: 'Settled' },
  ],
};
