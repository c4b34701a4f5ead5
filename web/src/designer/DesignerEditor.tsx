export function DesignerEditor() {
  return <h1>Designer editor</h1>;
}
