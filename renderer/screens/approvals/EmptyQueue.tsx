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
        <p className="muted">To connect an agent, start its MCP server through the CapFence gateway (use this as the server&apos;s command in the agent&apos;s MCP configuration):</p>
        <pre className="code-block" tabIndex={0} aria-label="Command to run an MCP server behind the gateway">
          capfence gateway --policy policies/default.yaml -- npx -y @modelcontextprotocol/server-filesystem ~/projects
        </pre>
        <p className="muted">
          Or route every MCP server of Claude Desktop or Cursor through it: <code>capfence clients install --client claude-desktop</code> (or <code>cursor</code>).
        </p>
        {gatewayUrl && (
          <p className="muted">
            The gateway of this session listens on <code>{gatewayUrl}</code>.
          </p>
        )}
      </div>
    </div>
  );
}
