import type { RuntimeBackend } from './backend.js';

/** A backend whose store could not open: every operation fails with the cause, so every decision denies. */
export class FailedBackend implements RuntimeBackend {
  constructor(private readonly cause: string) {}
  private fail(): Promise<never> {
    return Promise.reject(new Error(this.cause));
  }
  recordPolicy() {
    return this.fail();
  }
  useGrant() {
    return this.fail();
  }
  consumeApproved() {
    return this.fail();
  }
  createOrAttachApproval() {
    return this.fail();
  }
  waitForApproval() {
    return this.fail();
  }
  consumeApproval() {
    return this.fail();
  }
  cancelApproval() {
    return this.fail();
  }
  appendAudit() {
    return this.fail();
  }
  async close() {}
}
