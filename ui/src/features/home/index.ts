// Public entry of the home feature. Other code imports only from here.
export { HomePage } from './components/HomePage';
