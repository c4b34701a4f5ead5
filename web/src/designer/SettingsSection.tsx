import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Stage } from '../api/types.ts';
import type { StagePatch } from './commands.ts';

/** One titled part of a stage's settings. */
export function SettingsSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="settings-section" aria-label={title}>
      <h4>{title}</h4>
      {children}
    </section>
  );
}

/** The parts of a stage that are switched on and off as a whole. */
type OptionalPart = 'task' | 'event' | 'wait';

/**
 * A part of a stage's settings switched on by its title's checkbox: on, the stage gets the part as
 * `initial`; off, the part is removed. `children` draws the part's settings while it is on.
 */
export function ToggleSection<K extends OptionalPart>({
  stage,
  part,
  initial,
  update,
  children,
}: {
  stage: Stage;
  part: K;
  initial: NonNullable<Stage[K]>;
  update: (patch: StagePatch) => void;
  children: (value: NonNullable<Stage[K]>) => ReactNode;
}) {
  const { t } = useTranslation('designer');
  const value = stage[part];
  return (
    <section className="settings-section">
      <label className="inline section-toggle">
        <input
          type="checkbox"
          checked={value !== undefined}
          onChange={(e) => update({ [part]: e.target.checked ? initial : undefined })}
          data-testid={`toggle-${part}`}
        />
        <span className="section-title">{t(`${part}.enabled`)}</span>
      </label>
      {value !== undefined && children(value)}
    </section>
  );
}
