// Public entry of the settings feature. Other code imports only from here.
export { SettingsPage } from './components/SettingsPage';
