/** W7 diagnostic: start-up as import-handloop.ts, then the thread blocked 3 s in Atomics.wait. */
import { EventLoop } from "../../src/index.js";
import "../../src/register.js";

void EventLoop;
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
