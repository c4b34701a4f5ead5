import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { LoginPage } from './auth/LoginPage.tsx';
import { useMe } from './auth/useMe.ts';
import { CalendarPage } from './calendar/CalendarPage.tsx';
import { DocumentsPage } from './crm/DocumentsPage.tsx';
import { EmployeesPage } from './crm/EmployeesPage.tsx';
import { RecordCard } from './crm/RecordCard.tsx';
import { RecordList } from './crm/RecordList.tsx';
import { DesignerEditor } from './designer/DesignerEditor.tsx';
import { DesignerList } from './designer/DesignerList.tsx';
import { JournalPage } from './journal/JournalPage.tsx';
import { LaunchPage } from './process-card/LaunchDialog.tsx';
import { ProcessCardPage } from './process-card/ProcessCardPage.tsx';
import { Shell } from './shell/Shell.tsx';
import { TasksPage } from './tasks/TasksPage.tsx';
import { ErrorBox, Loading } from './ui/States.tsx';

export function App() {
  const { t } = useTranslation('shell');
  const me = useMe();
  if (me.isLoading) return <Loading />;
  if (me.error) return <ErrorBox error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <LoginPage />;
  const admin = me.data.role === 'admin';
  return (
    <Shell me={me.data}>
      <Routes>
        <Route path="/" element={<Navigate to="/processes" replace />} />
        <Route path="/processes" element={<JournalPage me={me.data} />} />
        <Route path="/processes/:id" element={<ProcessCardPage me={me.data} />} />
        <Route path="/launch" element={<LaunchPage />} />
        <Route path="/tasks" element={<TasksPage me={me.data} />} />
        <Route path="/calendar" element={<CalendarPage me={me.data} />} />
        <Route path="/clients" element={<RecordList kind="counterparties" />} />
        <Route path="/clients/:id" element={<RecordCard kind="counterparties" />} />
        <Route path="/orders" element={<RecordList kind="orders" />} />
        <Route path="/orders/:id" element={<RecordCard kind="orders" />} />
        <Route path="/projects" element={<RecordList kind="projects" />} />
        <Route path="/projects/:id" element={<RecordCard kind="projects" />} />
        <Route path="/documents" element={<DocumentsPage />} />
        <Route path="/documents/:kind/:id" element={<RecordCard />} />
        {admin && <Route path="/designer" element={<DesignerList />} />}
        {admin && <Route path="/designer/:id" element={<DesignerEditor />} />}
        {admin && <Route path="/employees" element={<EmployeesPage />} />}
        <Route path="*" element={<p className="muted">{t('notFound')}</p>} />
      </Routes>
    </Shell>
  );
}
