import { useTranslation } from 'react-i18next';
import { SearchField } from '../ui/SearchField.tsx';

/** The search box above a CRM list (records or employees). */
export function RecordSearch({
  placeholder,
  value,
  onChange,
}: {
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation('crm');
  return (
    <SearchField
      className="crm-search"
      label={t('search')}
      testId="record-search"
      placeholder={placeholder}
      value={value}
      onChange={onChange}
    />
  );
}
