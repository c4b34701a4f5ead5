export function DesignerList() {
  return <h1>Designer</h1>;
}
