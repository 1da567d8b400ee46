// The MariaDB programs the example runs, where they are, and what to install when they are not.
// Debian ships them in mariadb-server (mariadbd, mariadb-install-db; it pulls in mariadb-client:
// mariadb, mariadb-dump) and mariadb-backup (mariadb-backup, mbstream).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const SERVER = ['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-dump'];
const BACKUP = ['mariadb-backup', 'mbstream'];
// mariadbd lives in /usr/sbin, which is not on every user's PATH.
const EXTRA_DIRECTORIES = ['/usr/sbin', '/usr/local/sbin'];

export const INSTALL_HINT =
  'Install the packages with `npm run example:mysql` run as root (it runs `node scripts/ensure-system-packages.mjs mariadb-server mariadb-backup`), ' +
  'or with `sudo apt-get install mariadb-server mariadb-backup`.';

/** The absolute path of `name`, or null. */
export function findTool(name) {
  const directories = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRECTORIES];
  for (const directory of directories) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/**
 * Every tool found, and the clone method they allow: `backup` (mariadb-backup streamed) when
 * mariadb-backup is installed, else `dump` (mariadb-dump with its GTID position). Throws, saying
 * what to run, when the server itself is missing.
 */
export function locateTools() {
  const tools = Object.fromEntries([...SERVER, ...BACKUP].map((name) => [name, findTool(name)]));
  const missingServer = SERVER.filter((name) => !tools[name]);
  if (missingServer.length > 0) {
    throw new Error(`MariaDB is not installed (${missingServer.join(', ')} not found). ${INSTALL_HINT}`);
  }
  const backup = BACKUP.every((name) => tools[name]);
  return { tools, cloneMethods: backup ? ['backup', 'dump'] : ['dump'] };
}
