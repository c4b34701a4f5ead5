export function EmployeesPage() {
  return <h1>Employees</h1>;
}
