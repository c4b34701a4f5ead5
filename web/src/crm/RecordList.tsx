export type RecordKind = 'counterparties' | 'projects' | 'orders' | 'invoices' | 'contracts' | 'waybills';

export function RecordList({ kind }: { kind: RecordKind }) {
  return <h1>{kind}</h1>;
}
