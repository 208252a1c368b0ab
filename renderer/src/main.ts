import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { applyStoredTheme } from './theme';
import './styles/base.css';

applyStoredTheme();
createApp(App).use(createPinia()).mount('#app');
