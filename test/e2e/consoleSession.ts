/**
 * What the console browser tests share: calling the server's JSON API with a session
 * token, getting a token, and signing in through a console's login form.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LoginResponse } from '@pulse-arena/shared';

export async function apiCall<T>(
  baseUrl: string, method: 'GET' | 'POST' | 'DELETE', route: string, token: string | null, body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

export async function loginToken(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await apiCall<LoginResponse>(baseUrl, 'POST', '/api/auth/login', null, { username, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.token;
}

/** Fills and submits a console's login form (both consoles share its ids). */
export async function signIn(page: Page, user: { username: string; password: string }, timeout = 30_000): Promise<void> {
  await page.locator('#login-form').waitFor({ timeout });
  await page.locator('#login-username').fill(user.username);
  await page.locator('#login-password').fill(user.password);
  await page.locator('#login-submit').click();
}
