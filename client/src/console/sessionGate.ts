/**
 * Who is using a staff console: the login form without a session, a refusal for roles the
 * console does not admit (and whenever a route answers 403), the user bar and logout. The
 * console itself opens only for an admitted role. Both consoles' pages share the ids used here.
 */
import type { Role, SessionInfo } from '@pulse-arena/shared';
import { byId, setText } from '../dom.js';
import { ApiError, authApi, errorMessage } from './http.js';

export interface SessionHooks {
  /** An admitted user is signed in: show and start the console. */
  open(session: SessionInfo): void;
  /** Signed out, refused or expired: hide the console and stop its polling or stream. */
  close(): void;
}

export interface ConsoleAccess {
  /** e.g. "designer console". */
  name: string;
  /** Roles admitted, e.g. ['designer', 'admin']. */
  roles: readonly Role[];
}

export class SessionGate {
  private readonly bootStatus = byId('boot-status', HTMLParagraphElement);
  private readonly loginView = byId('login-view', HTMLElement);
  private readonly username = byId('login-username', HTMLInputElement);
  private readonly password = byId('login-password', HTMLInputElement);
  private readonly loginSubmit = byId('login-submit', HTMLButtonElement);
  private readonly loginError = byId('login-error', HTMLParagraphElement);
  private readonly refusalView = byId('refusal-view', HTMLElement);
  private readonly refusalMessage = byId('refusal-message', HTMLParagraphElement);
  private readonly refusalServer = byId('refusal-server', HTMLParagraphElement);
  private readonly consoleView = byId('console-view', HTMLDivElement);
  private readonly userBar = byId('user-bar', HTMLDivElement);
  private readonly userName = byId('user-name', HTMLSpanElement);
  private current: SessionInfo | null = null;
  private opened = false;

  constructor(private readonly hooks: SessionHooks, private readonly access: ConsoleAccess) {
    byId('login-form', HTMLFormElement).addEventListener('submit', (e) => {
      e.preventDefault();
      void this.login();
    });
    byId('logout', HTMLButtonElement).addEventListener('click', () => void this.logout());
  }

  get session(): SessionInfo | null {
    return this.current;
  }

  async start(): Promise<void> {
    try {
      this.enter(await authApi.me());
    } catch (err) {
      this.showLogin(err instanceof ApiError && err.status === 401 ? '' : `Cannot check your session: ${errorMessage(err)}`);
    }
  }

  /** A route answered 401: the session ended (expired, or logged out elsewhere). */
  expired(): void {
    this.current = null;
    this.showLogin('Your session has ended. Sign in again.');
  }

  /** A route answered 403. */
  refused(serverMessage: string): void {
    this.refuse(serverMessage);
  }

  private enter(session: SessionInfo): void {
    this.current = session;
    setText(this.userName, `${session.username} (${session.role})`);
    this.userName.title = `Session ends ${new Date(session.expiresAt).toLocaleString()}`;
    this.userBar.hidden = false;
    if (!this.access.roles.includes(session.role)) {
      this.refuse('');
      return;
    }
    this.show('console');
    if (!this.opened) {
      this.opened = true;
      this.hooks.open(session);
    }
  }

  private refuse(serverMessage: string): void {
    const who = this.current ? `You are signed in as ${this.current.username} with the ${this.current.role} role. ` : '';
    setText(this.refusalMessage, `${who}The ${this.access.name} needs the ${this.access.roles.join(' or ')} role; ask an admin to grant it.`);
    setText(this.refusalServer, serverMessage ? `Server: ${serverMessage}` : '');
    this.show('refusal');
  }

  private async login(): Promise<void> {
    this.loginSubmit.disabled = true;
    setText(this.loginError, '');
    try {
      const session = await authApi.login({ username: this.username.value.trim(), password: this.password.value });
      this.password.value = '';
      this.enter(session);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setText(this.loginError, status === 401 ? 'Wrong username or password.'
        : status === 429 ? 'Too many attempts; wait a minute and try again.'
          : `Cannot sign in: ${errorMessage(err)}`);
    } finally {
      this.loginSubmit.disabled = false;
    }
  }

  private async logout(): Promise<void> {
    // Leave the console even if the server cannot be told: the cookie ends by itself.
    await authApi.logout().catch(() => undefined);
    this.current = null;
    this.showLogin('');
  }

  private showLogin(message: string): void {
    setText(this.loginError, message);
    this.userBar.hidden = this.current === null;
    this.show('login');
    this.username.focus();
  }

  private show(view: 'login' | 'refusal' | 'console'): void {
    this.bootStatus.hidden = true;
    this.loginView.hidden = view !== 'login';
    this.refusalView.hidden = view !== 'refusal';
    this.consoleView.hidden = view !== 'console';
    if (view !== 'console' && this.opened) {
      this.opened = false;
      this.hooks.close();
    }
  }
}
