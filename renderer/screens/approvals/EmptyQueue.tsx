import { useConsole } from '../../state/store.js';

/** The empty queue, honestly: nothing is waiting, and how an agent gets here. */
export function EmptyQueue({ error }: { error: string | null }) {
  const gatewayUrl = useConsole((s) => s.ui.session?.gatewayUrl ?? null);
  return (
    <div className="screen">
      <header className="screen-head">
        <h2>Approvals</h2>
        <span className="muted">0 pending</span>
      </header>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      <div className="empty">
        <p className="empty-title">No pending requests.</p>
        <p>Agents calling tools that need approval will appear here within a fraction of a second.</p>
        <p className="muted">To connect an agent, register its MCP servers and run the CapFence gateway in front of them, then point the agent&apos;s MCP client at the gateway:</p>
        <pre className="code-block" tabIndex={0} aria-label="Commands to connect an agent">{'capfence servers add files -- npx -y @modelcontextprotocol/server-filesystem ~/projects\ncapfence gateway'}</pre>
        {gatewayUrl && (
          <p className="muted">
            The gateway of this session listens on <code>{gatewayUrl}</code>.
          </p>
        )}
      </div>
    </div>
  );
}
