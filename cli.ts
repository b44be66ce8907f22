console.log("xmpp-rest: not yet");
