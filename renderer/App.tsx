/** The console's shell. The screens arrive with the console work; until then, what the product is. */
export function App() {
  return (
    <main>
      <h1>CapFence Console</h1>
      <p>Deterministic, fail-closed enforcement for AI agent tool calls.</p>
    </main>
  );
}
