/** Renderer entry: picks the transport once, then mounts the app. */
import { mount } from 'svelte';
import App from './App.svelte';
import { createApi } from './lib/api';
import './styles.css';

const target = document.getElementById('app');
if (target === null) throw new Error('index.html has no #app element to mount into.');
mount(App, { target, props: { api: createApi() } });
