//! Placeholder for the person-shaped size test.
