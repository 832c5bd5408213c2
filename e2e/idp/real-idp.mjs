// A real, independent OpenID Provider for the e2e run: panva's oidc-provider
// (OpenID Certified), installed from npm, not Partner Desk's development IdP.
// It is set up the way many providers are by default: the ID token carries
// `sub` only, and e-mail, name and groups are released at the UserInfo
// endpoint (OpenID Connect Core §5.4, conformIdTokenClaims).
//
// Usage: node idp/real-idp.mjs  (the settings come from the environment)
//   REAL_IDP_PORT            port on 127.0.0.1 to listen on (required)
//   REAL_IDP_REDIRECT_URI    the relying party's /auth/callback (required)
//   REAL_IDP_CLIENT_ID       default partnerdesk-e2e
//   REAL_IDP_CLIENT_SECRET   default a fixed test secret
//   REAL_IDP_CLAIMS_IN_ID_TOKEN=1  also put the claims in the ID token (only to
//                            check the harness against a server that reads the ID token alone)
//
// Sign-in uses oidc-provider's built-in development interactions (a login form
// and a consent form); only the one account below exists.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.REAL_IDP_PORT);
const redirectURI = process.env.REAL_IDP_REDIRECT_URI;
if (!Number.isInteger(port) || port <= 0 || !redirectURI) {
  console.error('real-idp: REAL_IDP_PORT and REAL_IDP_REDIRECT_URI must be set');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

/** The only account. Its login at the provider's form is its id. */
const ACCOUNT = {
  sub: 'pd-admin-1',
  email: 'ada.admin@idp.example',
  email_verified: true,
  name: 'Ada Admin',
  groups: ['pd-admins'],
};

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.REAL_IDP_CLIENT_ID || 'partnerdesk-e2e',
      client_secret: process.env.REAL_IDP_CLIENT_SECRET || 'e2e-real-idp-client-secret',
      redirect_uris: [redirectURI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  // The scopes the relying party asks for, and the claims each releases.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  // With an access token issued (always, for the code flow), scope-requested
  // claims go to UserInfo only; the ID token keeps sub and the protocol claims.
  conformIdTokenClaims: process.env.REAL_IDP_CLAIMS_IN_ID_TOKEN !== '1',
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  jwks: { keys: [{ ...signingKey, kid: 'e2e-1', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  async findAccount(_ctx, id) {
    if (id !== ACCOUNT.sub) return undefined;
    return { accountId: id, claims: async () => ({ ...ACCOUNT }) };
  },
});

provider.on('server_error', (_ctx, err) => console.error('real-idp: server error', err));

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`real-idp: ${issuer} (claims ${process.env.REAL_IDP_CLAIMS_IN_ID_TOKEN === '1' ? 'in the ID token and at UserInfo' : 'at UserInfo only'})`);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
