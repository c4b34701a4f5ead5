import type { ReactNode } from 'react';

/** One titled part of a stage's settings. */
export function SettingsSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="settings-section" aria-label={title}>
      <h4>{title}</h4>
      {children}
    </section>
  );
}

/** A part of a stage's settings that is switched on by its title's checkbox; `children` show when on. */
export function ToggleSection({
  title,
  on,
  onToggle,
  testId,
  children,
}: {
  title: string;
  on: boolean;
  onToggle: (on: boolean) => void;
  testId: string;
  children: ReactNode;
}) {
  return (
    <section className="settings-section">
      <label className="inline section-toggle">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => onToggle(e.target.checked)}
          data-testid={testId}
        />
        <span className="section-title">{title}</span>
      </label>
      {children}
    </section>
  );
}
