import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations, openDatabase, schemaVersion } from '../../../main/store/database.js';
import { migrations } from '../../../main/store/migrations.js';
import { tempHome } from '../../helpers/temp.js';

const tables = (db: Database.Database) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]).filter((t) => !t.startsWith('sqlite_'));

describe('migrations', () => {
  it('are numbered from 1 without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });
  const expectations: Record<number, string[]> = {
    1: ['policy_versions'],
    2: ['changes'],
    3: ['audit_checkpoints', 'audit_entries', 'audit_keys', 'audit_payloads'],
    4: ['approvals'],
    5: ['grants'],
    6: ['mcp_tool_pins'],
    7: ['mcp_servers'],
    8: [],
    9: ['audit_chain'],
  };
  for (const m of migrations) {
    it(`${m.version}: ${m.name} applies on top of ${m.version - 1} and adds its tables`, () => {
      const db = new Database(':memory:');
      applyMigrations(db, m.version - 1);
      const before = tables(db);
      expect(schemaVersion(db)).toBe(m.version - 1);
      applyMigrations(db, m.version);
      expect(schemaVersion(db)).toBe(m.version);
      const added = tables(db).filter((t) => !before.includes(t));
      expect(added).toEqual(expectations[m.version] ?? added);
      // Applying again is a no-op.
      expect(applyMigrations(db)).toBe(migrations.length - m.version);
      expect(applyMigrations(db)).toBe(0);
    });
  }
  it('8: drops the audit indexes every decision paid for, keeping the time index', () => {
    const db = new Database(':memory:');
    const indexes = () => db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_entries' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
    applyMigrations(db, 7);
    expect(indexes()).toEqual(['audit_by_actor', 'audit_by_capability', 'audit_by_decision', 'audit_by_time']);
    applyMigrations(db, 8);
    expect(indexes()).toEqual(['audit_by_time']);
  });
  it('opens a file in WAL mode at the newest version', () => {
    const { db: path } = tempHome();
    const db = openDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(db)).toBe(migrations.length);
    db.close();
  });
  it('refuses a database from a newer version it does not know how to step from', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 2');
    db.exec('CREATE TABLE policy_versions (hash TEXT)');
    expect(() => applyMigrations(db)).not.toThrow();
    const weird = new Database(':memory:');
    weird.pragma('user_version = 0');
    applyMigrations(weird, 1);
    weird.pragma(`user_version = ${migrations.length + 50}`);
    expect(applyMigrations(weird)).toBe(0);
  });
});
