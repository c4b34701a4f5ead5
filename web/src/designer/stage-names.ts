import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';

/**
 * The stages' names as the chart shows them: on the stages and in the arrows' accessible names
 * ("From → To: result"). Stages and arrows read them here rather than from their nodes and edges,
 * so renaming a stage redraws that stage and the few arrows that name it and leaves React Flow's
 * lists of stages and arrows as they were (it would index them anew at every key).
 */
export class StageNames {
  private names: ReadonlyMap<string, string> = new Map();
  private published: ReadonlyMap<string, string> = this.names;
  private readonly listeners = new Set<() => void>();

  /** Takes the names while the chart renders: what renders with it reads them at once. */
  set(names: ReadonlyMap<string, string>): void {
    this.names = names;
  }

  /** After the chart's commit: what did not render with it reads the names again, redrawn if they changed. */
  publish(): void {
    if (this.published === this.names) return;
    this.published = this.names;
    for (const listener of this.listeners) listener();
  }

  /** A stage's name, or its key when it has no such stage. */
  name = (key: string): string => this.names.get(key) ?? key;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

const NO_NAMES = new StageNames();

export const StageNamesContext = createContext<StageNames>(NO_NAMES);

/** A stage's name, as the chart shows it now. */
export function useStageName(key: string): string {
  const names = useContext(StageNamesContext);
  const read = useCallback(() => names.name(key), [names, key]);
  return useSyncExternalStore(names.subscribe, read);
}
