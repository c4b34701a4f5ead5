import type { RecordKind } from './RecordList.tsx';

export function RecordCard({ kind }: { kind?: RecordKind }) {
  return <h1>{kind}</h1>;
}
