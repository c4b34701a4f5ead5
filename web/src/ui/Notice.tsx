import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import './notice.css';

/** A quiet confirmation of what was just done (announced politely), with a button to dismiss it. */
export function Notice({ onClose, children }: { onClose: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <p className="notice" role="status">
      {children}
      <button type="button" className="icon" aria-label={t('common:close')} onClick={onClose}>
        ×
      </button>
    </p>
  );
}
