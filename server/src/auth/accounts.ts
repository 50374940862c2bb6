/**
 * Staff accounts (designers, moderators, admins) and their sessions: JWTs (HS256, `jose`)
 * signed with a key every server process reads from the database, so a session survives
 * restarts and works on every replica.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ROLES, type Role } from '@pulse-arena/shared';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { hashPassword, verifyPassword } from './passwords.js';

/** Sessions last 12 hours: a working day in the console, then log in again. */
export const SESSION_SECONDS = 12 * 3600;
const ISSUER = 'pulse-arena';
const USERNAME = /^[a-z0-9][a-z0-9_.-]{2,31}$/;
/** Every role an account can have: players may register (or stay guests); staff are created by an admin. */
export const ACCOUNT_ROLES = ROLES;

export interface Session {
  accountId: string;
  username: string;
  role: Role;
  expiresAt: Date;
}

export class AccountError extends Error {
  constructor(readonly status: 400 | 401 | 409, message: string) {
    super(message);
  }
}

export class Accounts {
  private constructor(private readonly prisma: PrismaClient, private readonly key: Uint8Array) {}

  /** Loads (or, the first time, creates) the shared signing key. */
  static async open(prisma: PrismaClient): Promise<Accounts> {
    const name = 'jwt-signing-key';
    await prisma.serverSecret.createMany({ data: [{ name, value: randomBytes(32).toString('base64url') }], skipDuplicates: true });
    const secret = await prisma.serverSecret.findUniqueOrThrow({ where: { name } });
    return new Accounts(prisma, Buffer.from(secret.value, 'base64url'));
  }

  /**
   * Creates an account.
   * @throws AccountError 400 for a bad username, role or password; 409 when the name is taken.
   */
  async create(usernameRaw: string, password: string, role: string): Promise<{ id: string; username: string; role: Role }> {
    const username = usernameRaw.trim().toLowerCase();
    if (!USERNAME.test(username)) throw new AccountError(400, 'username: 3–32 characters: letters, digits, _ . -, starting with a letter or digit');
    if (!(ACCOUNT_ROLES as readonly string[]).includes(role)) throw new AccountError(400, `role: one of ${ACCOUNT_ROLES.join(', ')}`);
    let passwordHash: string;
    try {
      passwordHash = await hashPassword(password);
    } catch (err) {
      throw new AccountError(400, (err as Error).message);
    }
    try {
      const row = await this.prisma.account.create({ data: { username, passwordHash, role } });
      return { id: row.id, username, role: role as Role };
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw new AccountError(409, `username "${username}" is taken`);
      throw err;
    }
  }

  async count(): Promise<number> {
    return this.prisma.account.count();
  }

  /** Checks a login; returns a signed session token. @throws AccountError 401 for a wrong name or password. */
  async login(usernameRaw: string, password: string): Promise<{ token: string; session: Session }> {
    const username = usernameRaw.trim().toLowerCase();
    const row = USERNAME.test(username) ? await this.prisma.account.findUnique({ where: { username } }) : null;
    // Hash even for an unknown user, so timing does not tell which names exist.
    const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
    if (!row || !ok || row.disabledAt) throw new AccountError(401, 'wrong username or password');
    const expiresAt = new Date(Date.now() + SESSION_SECONDS * 1000);
    const token = await new SignJWT({ role: row.role, name: row.username })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(row.id)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, session: { accountId: row.id, username: row.username, role: row.role as Role, expiresAt } };
  }

  /** The session a token carries, or null when it is invalid, expired or its account is gone or disabled. */
  async verify(token: string): Promise<Session | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return null;
      const row = await this.prisma.account.findUnique({ where: { id: payload.sub } });
      if (!row || row.disabledAt) return null;
      return { accountId: row.id, username: row.username, role: row.role as Role, expiresAt: new Date(payload.exp * 1000) };
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
  }
}

/** A valid hash of a random password, checked against when the username is unknown. */
const DUMMY_HASH = await hashPassword(randomBytes(16).toString('base64url'));
