/** Session endpoints and the cache key of the logged-in employee. */

export const authKeys = {
  me: ['me'] as const,
} as const;

export const authPaths = {
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  session: '/api/auth/session',
} as const;
