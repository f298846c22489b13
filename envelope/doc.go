// Package envelope is the wire format of the 8x8 SMS and Messaging Apps
// APIs: allocation-free decoders for every response body, an
// allocation-free request encoder, and the API's error codes.
package envelope
