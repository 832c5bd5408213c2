// Public entry of the tokens feature: the user's own API tokens.
export { TokensPage } from './components/TokensPage';
