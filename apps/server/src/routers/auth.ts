import { credentialsInput, LIMITS, type UserView } from '@zpub/shared';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context';
import { hashPassword, verifyPassword } from '../services/passwords';
import { sessionCookie } from '../services/sessions';
import { AppError, publicProcedure, sessionProcedure } from '../trpc';
import { consumeOrRefuse, emailKey } from './limits';

function setSessionCookie(ctx: Context, sid: string | null): void {
  if (!ctx.res) return;
  const { env, sessions } = ctx.services;
  ctx.res.appendHeader('Set-Cookie', sessionCookie(sid, sessions.maxAgeS, env.PUBLIC_ORIGIN.startsWith('https:')));
}

async function startSession(ctx: Context, userId: string): Promise<void> {
  const sid = await ctx.services.sessions.create(userId, {
    ip: ctx.ip,
    userAgent: String(ctx.req?.headers['user-agent'] ?? ''),
  });
  setSessionCookie(ctx, sid);
}

export const authRouter = {
  register: publicProcedure.input(credentialsInput).mutation(async ({ ctx, input }): Promise<UserView> => {
    const { User } = ctx.services.models;
    // Each registration costs an argon2 hash: bounded per address like sign-ins.
    await consumeOrRefuse(ctx.services.authLimiter.registerByIp, ctx.ip, 'Too many new accounts from this address');
    const passwordHash = await hashPassword(input.password);
    let user;
    try {
      user = await User.create({ email: input.email, passwordHash, createdAt: new Date() });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) {
        throw new TRPCError({ code: 'CONFLICT', message: 'An account with this email already exists; sign in instead' });
      }
      throw err;
    }
    await startSession(ctx, user._id.toString());
    return { id: user._id.toString(), email: user.email, createdAt: user.createdAt.toISOString() };
  }),

  login: publicProcedure.input(credentialsInput).mutation(async ({ ctx, input }): Promise<UserView> => {
    const { authLimiter, models } = ctx.services;
    // Every attempt counts, right or wrong, before the password is looked at: a refusal says
    // nothing about whether the password was right.
    await consumeOrRefuse(authLimiter.loginByIp, ctx.ip, 'Too many sign-in attempts from this address');
    await consumeOrRefuse(authLimiter.loginByEmail, emailKey(input.email), 'Too many sign-in attempts for this email');
    const user = await models.User.findOne({ email: input.email }).lean();
    const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
    if (!user || !ok) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong email or password' });
    await startSession(ctx, user._id.toString());
    return { id: user._id.toString(), email: user.email, createdAt: user.createdAt.toISOString() };
  }),

  /** Ends the session on the server (the cookie is worthless from now on, on every process). */
  logout: publicProcedure.input(z.undefined({ error: 'logout takes no input' })).mutation(async ({ ctx }) => {
    if (ctx.user?.sessionId) await ctx.services.sessions.revoke(ctx.user.sessionId);
    setSessionCookie(ctx, null);
    return { ok: true };
  }),

  me: publicProcedure.query(({ ctx }) => (ctx.user ? { id: ctx.user.id, email: ctx.user.email } : null)),

  /**
   * Ends every other session and revokes every API token of the user, so a stolen cookie, or a
   * token minted with the stolen password, dies with the old password.
   */
  changePassword: sessionProcedure
    .input(z.strictObject({ currentPassword: z.string().max(LIMITS.passwordMax), newPassword: credentialsInput.shape.password }))
    .mutation(async ({ ctx, input }) => {
      const { authLimiter, models, sessions } = ctx.services;
      // Guessing the current password through a stolen session is a sign-in attempt too.
      await consumeOrRefuse(authLimiter.loginByEmail, emailKey(ctx.user.email), 'Too many password attempts for this account');
      const user = await models.User.findById(ctx.user.id).lean();
      if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
        // Not UNAUTHORIZED: the session is fine, and the app must not take this for a sign-out.
        throw new AppError('BAD_REQUEST', 'The current password is wrong', 'WRONG_PASSWORD');
      }
      await models.User.updateOne(
        { _id: user._id },
        { $set: { passwordHash: await hashPassword(input.newPassword), passwordChangedAt: new Date() } },
      );
      const ended = await sessions.revokeOthers(ctx.user.id, ctx.user.sessionId);
      const revokedTokens = await ctx.services.tokens.revokeAll(ctx.user.id);
      return { ok: true, endedSessions: ended, revokedTokens };
    }),
} satisfies TRPCRouterRecord;
