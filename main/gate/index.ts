/** Wrap any agent tool so that CapFence judges every call before it runs. */
export { gate, isGated, authorize, defaultPayload, GATED, type GateOptions, type Gated, type CallFacts } from './gate.js';
export type { AdapterOptions } from './adapters/common.js';
export { gateVercelTool, gateVercelTools, type VercelAiToolLike } from './adapters/vercel-ai.js';
export { gateOpenAITool, type OpenAIFunctionToolLike, type OpenAIGateOptions } from './adapters/openai-agents.js';
export { gateLangChainTool, type LangChainToolLike } from './adapters/langchain.js';
export { gateMcpHandler, gateMcpServer, type McpServerLike } from './adapters/mcp-server.js';
export { AgentActionBlocked } from '../runtime/errors.js';
