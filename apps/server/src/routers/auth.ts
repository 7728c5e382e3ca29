import { credentialsInput, type UserView } from '@zpub/shared';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context';
import { hashPassword, verifyPassword } from '../services/passwords';
import { SESSION_COOKIE } from '../services/sessions';
import { AppError, protectedProcedure, publicProcedure } from '../trpc';
import { consumeOrRefuse } from './limits';

function setSessionCookie(ctx: Context, sid: string | null): void {
  if (!ctx.res) return;
  const secure = ctx.services.env.PUBLIC_ORIGIN.startsWith('https:') ? '; Secure' : '';
  const value = sid
    ? `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ctx.services.sessions.maxAgeS}${secure}`
    : `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
  ctx.res.appendHeader('Set-Cookie', value);
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
    const { loginLimiter, models } = ctx.services;
    await consumeOrRefuse(loginLimiter.byIp, ctx.ip, 'Too many sign-in attempts from this address');
    await consumeOrRefuse(loginLimiter.byEmail, input.email, 'Too many sign-in attempts for this email');
    const user = await models.User.findOne({ email: input.email }).lean();
    const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
    if (!user || !ok) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong email or password' });
    await startSession(ctx, user._id.toString());
    return { id: user._id.toString(), email: user.email, createdAt: user.createdAt.toISOString() };
  }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.user) await ctx.services.sessions.revoke(ctx.user.sessionId);
    setSessionCookie(ctx, null);
    return { ok: true };
  }),

  me: publicProcedure.query(({ ctx }) => (ctx.user ? { id: ctx.user.id, email: ctx.user.email } : null)),

  changePassword: protectedProcedure
    .input(z.strictObject({ currentPassword: z.string().max(256), newPassword: credentialsInput.shape.password }))
    .mutation(async ({ ctx, input }) => {
      const { models, sessions } = ctx.services;
      const user = await models.User.findById(ctx.user.id).lean();
      if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
        throw new AppError('UNAUTHORIZED', 'The current password is wrong');
      }
      await models.User.updateOne(
        { _id: user._id },
        { $set: { passwordHash: await hashPassword(input.newPassword), passwordChangedAt: new Date() } },
      );
      const ended = await sessions.revokeOthers(ctx.user.id, ctx.user.sessionId);
      return { ok: true, endedSessions: ended };
    }),
} satisfies TRPCRouterRecord;
