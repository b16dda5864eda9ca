// Who is signed in: asked of the API (/v1/me), never guessed; the role's actions decide
// which buttons the pages draw. The API still decides each call.
import { get, token } from "./api.js";

let me = null;

export async function signIn(secret) {
  token.set(secret);
  try {
    me = await get("/me");
  } catch (err) {
    signOut();
    throw err;
  }
  return me;
}

export async function resume() {
  if (!token.get()) return null;
  try {
    me = await get("/me");
  } catch {
    signOut();
  }
  return me;
}

export function signOut() {
  me = null;
  token.forget();
}

export const current = () => me;
export const can = (action) => Boolean(me && me.actions.includes(action));
