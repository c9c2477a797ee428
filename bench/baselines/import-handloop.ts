/**
 * W7's start-up baseline: the same `node --import tsx` command line as the demo, loading handloop
 * (and its register hooks, as the demo does) and doing nothing else.
 */
import { EventLoop } from "../../src/index.js";
import "../../src/register.js";

void EventLoop;
